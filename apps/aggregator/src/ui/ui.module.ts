import { Module } from '@nestjs/common';
import { loadUiAssets } from './ui-assets';
import { UI_ASSETS, UiController } from './ui.controller';

/** Serves the web UI (apps/ui, built by Nx) at `/`. */
@Module({
  controllers: [UiController],
  providers: [{ provide: UI_ASSETS, useFactory: () => loadUiAssets() }],
})
export class UiModule {}
