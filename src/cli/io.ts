/** The effects a command may use, passed in so commands stay testable without a process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): string;
}
