/** The effects a command may use, passed in so commands stay testable without a process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): string;
  /** Writes a whole file durably (temporary file, then rename). */
  writeFile(path: string, text: string): void;
  /** Milliseconds, for progress and timings (the only clock the commands see). */
  now(): number;
  /** Resident memory of the process in MiB (for --max-memory). */
  memoryMiB(): number;
  /** Whether SIGINT arrived since the command started. */
  interrupted(): boolean;
  /** Wall-clock time now (JUnit's timestamp); the epoch when not given. */
  wallClock?(): Date;
  /** The machine's name (JUnit's hostname); 'localhost' when not given. */
  hostname?(): string;
  /** A progress line: on a terminal it replaces the previous one in place; elsewhere (or when absent) it is an err line. */
  progress?(text: string): void;
}
