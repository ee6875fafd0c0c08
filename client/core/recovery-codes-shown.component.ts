import type { IComponentOptions, IQService, IWindowService } from 'angular';
import template from './recovery-codes-shown.html';

class RecoveryCodesShownController {
  static $inject = ['$window', '$q'];
  codes: string[] = [];
  username = '';
  said = '';

  constructor(
    private readonly $window: IWindowService,
    private readonly $q: IQService,
  ) {}

  private text(): string {
    const site = this.$window.location.host;
    return [
      `Recovery codes for ${this.username} at ${site}`,
      'Each code works once, in place of the second factor: at login, choose "Use a recovery code".',
      `Made ${new Date().toISOString().slice(0, 10)}. Making new codes voids these.`,
      '',
      ...this.codes,
      '',
    ].join('\n');
  }

  copy(): void {
    const clipboard = this.$window.navigator.clipboard as Clipboard | undefined;
    if (!clipboard) return void (this.said = 'This browser cannot copy here: select the codes and copy them by hand.');
    // In $q, so the page shows the outcome.
    void this.$q.when(clipboard.writeText(this.text())).then(
      () => (this.said = 'Copied. Paste them somewhere safe, such as a password manager.'),
      () => (this.said = 'The codes could not be copied: select them and copy them by hand.'),
    );
  }

  /** A .txt file made here: the codes never travel again. */
  download(): void {
    const win: Window = this.$window;
    const document = win.document;
    const url = URL.createObjectURL(new Blob([this.text()], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `recovery-codes-${win.location.hostname}.txt`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    win.setTimeout(() => URL.revokeObjectURL(url), 1000);
    this.said = 'Downloaded. Keep the file somewhere safe, or print it.';
  }
}

/**
 * `<recovery-codes-shown codes="…" username="…">`: new recovery codes, shown this once, with Copy
 * and Download (a .txt).
 */
export const recoveryCodesShownComponent: IComponentOptions = {
  bindings: { codes: '<', username: '<' },
  controller: RecoveryCodesShownController,
  template,
};
