/**
 * Errors about options, worded for whoever set them: a library caller reads the option field
 * (`preset: 'fmnist'`), a command-line user reads the flag (`--preset fmnist`). The message is
 * kept as a function of how an option is named and rendered once per audience.
 */

/** Names an option (and optionally a value) in a message, e.g. `--shift-mode roll` or `shiftMode: 'roll'`. */
export type OptionNamer = (field: string, value?: string | number) => string;

/** Command-line style: `--shift-mode roll`. */
export const asFlag: OptionNamer = (field, value) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${value === undefined ? '' : ` ${value}`}`;

/** Library style: `shiftMode: 'roll'` (numbers bare, other values quoted). */
export const asField: OptionNamer = (field, value) =>
  value === undefined ? `\`${field}\`` : `\`${field}: ${typeof value === 'number' ? value : `'${value}'`}\``;

/** A bad or missing option. `message` names option fields; {@link OptionError.forCli} names flags. */
export class OptionError extends RangeError {
  override readonly name = 'OptionError';

  /** @param text - the message, given how to name an option */
  constructor(private readonly text: (name: OptionNamer) => string) {
    super(text(asField));
  }

  /** The same message naming command-line flags. */
  forCli(): string {
    return this.text(asFlag);
  }
}
