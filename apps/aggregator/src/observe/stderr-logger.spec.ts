import { StderrLogger } from './stderr-logger';

describe('StderrLogger', () => {
  const lines: string[] = [];
  const logger = new StderrLogger((line) => lines.push(line));

  beforeEach(() => (lines.length = 0));

  it('writes one timestamped line per message, with its context and level', () => {
    logger.log('store ready', 'StoreHealth');
    logger.warn('not ready: store ping failed', 'StoreHealth');
    logger.error('write failed', 'Error: boom\n    at x', 'BatchWriter');
    expect(lines).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z stackwatch-aggregator: StoreHealth: store ready\n$/),
      expect.stringMatching(/ stackwatch-aggregator: StoreHealth: warning: not ready: store ping failed\n$/),
      expect.stringMatching(/ stackwatch-aggregator: BatchWriter: error: write failed\n$/),
      'Error: boom\n    at x\n',
    ]);
  });

  it("drops Nest's start-up chatter and debug output", () => {
    logger.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.debug();
    logger.verbose();
    expect(lines).toEqual([]);
  });
});
