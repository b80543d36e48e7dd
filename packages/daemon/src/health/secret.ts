import { inspect } from 'node:util';

const REDACTED = '<redacted>';

/**
 * A value that must never be printed: a check password. Logging it, putting
 * it in JSON (pino, the runtime API) or inspecting it shows `<redacted>`;
 * only {@link Secret.reveal} gives the text, at the one place that needs it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret text; call it only where it is sent to the server. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
