/**
 * The timeline report: runs the pipeline over batches with the report's
 * observer attached and returns the model and the page. Pure apart from the
 * store it is given; the CLI reads the inputs and the assets.
 */
import type { RulesConfig } from '../model.ts';
import { type PipelineResult, runPipeline, type StreamBatch } from '../pipeline.ts';
import { MemoryStateStore } from '../state/memory-state-store.ts';
import { ReportBuilder, type ReportContext } from './build.ts';
import type { ReportModel } from './model.ts';
import { type ReportAssets, renderReport } from './render.ts';

export type { ReportContext } from './build.ts';
export type { ReportModel } from './model.ts';
export type { ReportAssets } from './render.ts';

/** What `makeReport` returns. */
export interface Report {
  readonly model: ReportModel;
  readonly html: string;
  /** The pipeline run the report was drawn from (its alerts are `replay`'s). */
  readonly result: PipelineResult;
}

/** Replays `batches` with in-memory state and draws the report of what happened. */
export async function makeReport(
  batches: readonly StreamBatch[],
  config: RulesConfig,
  context: ReportContext,
  assets: ReportAssets,
): Promise<Report> {
  const builder = new ReportBuilder();
  const result = await runPipeline(batches, {
    store: new MemoryStateStore(),
    config,
    onEvent: (event) => builder.add(event),
  });
  const model = builder.finish(result, context);
  return { model, html: renderReport(model, assets), result };
}
