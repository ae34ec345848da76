/** A persisted Drain model: later files of the same source extend it instead of starting over. */
export interface TemplateModelTable {
  /** The name the caller gives the source (e.g. `nginx-prod`). */
  source: string;
  /** JSON of DrainState. */
  model: string;
  templates: number;
  updated_at: string;
  updated_by: string | null;
}
