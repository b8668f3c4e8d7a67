import { Controller, Get, Header, Inject, NotFoundException, Param, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import type { UiAssets } from './ui-assets';

export const UI_ASSETS = Symbol('UI_ASSETS');

/**
 * The web UI at `/`: index.html and its bundle under /ui/, all served from memory, nothing from
 * another origin. It is a Nest controller (not static middleware) so the API token guard and the
 * rate limit cover it like the API it reads. The content security policy allows only this origin.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

@Controller()
export class UiController {
  constructor(@Inject(UI_ASSETS) private readonly assets: UiAssets) {}

  @Get()
  @Header('Cache-Control', 'no-cache')
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('ui/:file')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (file === 'index.html') throw new NotFoundException(`no UI file ${JSON.stringify(file)}`);
    this.send(res, file);
  }

  private send(res: Response, name: string): void {
    if (!this.assets.files) throw new ServiceUnavailableException(`the web UI is not built (${this.assets.dir} has no index.html): run npm run build`);
    const file = this.assets.files.get(name);
    if (!file) throw new NotFoundException(`no UI file ${JSON.stringify(name.slice(0, 80))}`);
    res.set({ ...SECURITY_HEADERS, 'Content-Type': file.type }).send(file.body);
  }
}
