/** An invalid configuration: start-up stops and prints this message, which names the key. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}
