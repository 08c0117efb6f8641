/** A start-up failure the operator fixes by changing one variable: printed as one line, exit code 1. */
export class StartupError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'StartupError';
  }
}
