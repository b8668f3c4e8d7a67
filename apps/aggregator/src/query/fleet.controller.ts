import { Controller, Get, Query, UseInterceptors, UsePipes } from '@nestjs/common';
import { EventsQuery, InstancesQuery, MetricSeriesQuery, ServicesQuery } from './dto/fleet.dto';
import { FleetService, type EventView, type InstanceView, type SeriesView, type ServiceView } from './fleet.service';
import { QueryLatencyInterceptor } from './query-latency.interceptor';
import { queryValidationPipe } from './query-validation.pipe';

@Controller('api/v1')
@UsePipes(queryValidationPipe())
@UseInterceptors(QueryLatencyInterceptor)
export class FleetController {
  constructor(private readonly fleet: FleetService) {}

  @Get('services')
  services(@Query() query: ServicesQuery): Promise<ServiceView[]> {
    return this.fleet.services(query);
  }

  @Get('instances')
  instances(@Query() query: InstancesQuery): Promise<InstanceView[]> {
    return this.fleet.instances(query);
  }

  @Get('events')
  events(@Query() query: EventsQuery): Promise<EventView[]> {
    return this.fleet.events(query);
  }

  @Get('metrics/series')
  metricSeries(@Query() query: MetricSeriesQuery): Promise<SeriesView[]> {
    return this.fleet.metricSeries(query);
  }
}
