import { Controller, Get, Param, Query, Res, StreamableFile, UseInterceptors, UsePipes } from '@nestjs/common';
import type { Response } from 'express';
import { MergedPprofQuery } from './dto/aggregate.dto';
import { ProfilesQuery } from './dto/profiles.dto';
import { QueryLatencyInterceptor } from './query-latency.interceptor';
import { queryValidationPipe } from './query-validation.pipe';
import { ProfilesService, type PprofFile, type ProfileView } from './profiles.service';

function download(file: PprofFile): StreamableFile {
  return new StreamableFile(file.bytes, {
    type: 'application/octet-stream',
    disposition: `attachment; filename="${file.fileName}"`,
    length: file.bytes.byteLength,
  });
}

@Controller('api/v1')
@UsePipes(queryValidationPipe())
@UseInterceptors(QueryLatencyInterceptor)
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get('profiles')
  list(@Query() query: ProfilesQuery): Promise<ProfileView[]> {
    return this.profiles.list(query);
  }

  @Get('profiles/:id/pprof')
  async original(@Param('id') id: string): Promise<StreamableFile> {
    return download(await this.profiles.original(id));
  }

  @Get('merged.pprof')
  async merged(@Query() query: MergedPprofQuery, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const file = await this.profiles.merged(query);
    res.setHeader('X-Stackwatch-Profiles', String(file.profiles));
    res.setHeader('X-Stackwatch-Profiles-Skipped', String(file.skipped));
    return download(file);
  }
}
