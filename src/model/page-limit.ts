/** The run's bound on pages per event (kernel/limits.ts enforces it; `--limit pages-per-event=N` sets it). */

/** Default: 65,536 pages (256 MiB) per event. */
export const DEFAULT_PAGES_PER_EVENT = 1 << 16;
/** The most --limit accepts: beyond this one event could outrun any test budget. */
export const MAX_PAGES_PER_EVENT = 1 << 26;
