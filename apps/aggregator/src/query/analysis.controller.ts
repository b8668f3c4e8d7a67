import { Controller, Get, Query, UseInterceptors, UsePipes } from '@nestjs/common';
import { DiffService, type DiffView } from './diff.service';
import { DiffQuery, FlameGraphQuery, FunctionInstancesQuery, HotspotsQuery } from './dto/aggregate.dto';
import { HotspotsService, type FlameGraphView, type FunctionInstanceView, type HotspotsView } from './hotspots.service';
import { QueryLatencyInterceptor } from './query-latency.interceptor';
import { queryValidationPipe } from './query-validation.pipe';

/** Fleet-wide answers from stack aggregates: hotspots, flame graphs, diffs, who runs a function. */
@Controller('api/v1')
@UsePipes(queryValidationPipe())
@UseInterceptors(QueryLatencyInterceptor)
export class AnalysisController {
  constructor(
    private readonly hotspotsService: HotspotsService,
    private readonly diffService: DiffService,
  ) {}

  @Get('hotspots')
  hotspots(@Query() query: HotspotsQuery): Promise<HotspotsView> {
    return this.hotspotsService.hotspots(query);
  }

  @Get('flamegraph')
  flameGraph(@Query() query: FlameGraphQuery): Promise<FlameGraphView> {
    return this.hotspotsService.flameGraph(query);
  }

  @Get('diff')
  diff(@Query() query: DiffQuery): Promise<DiffView> {
    return this.diffService.diff(query);
  }

  @Get('functions/instances')
  functionInstances(@Query() query: FunctionInstancesQuery): Promise<FunctionInstanceView[]> {
    return this.hotspotsService.functionInstances(query);
  }
}
