import type { IComponentOptions } from 'angular';
import { PasskeyListController } from './passkey-list.controller';
import template from './passkey-list.html';

/** `<passkey-list>` on /account: the person's passkeys, with Add, an inline Rename, and Remove (once confirmed). */
export const passkeyListComponent: IComponentOptions = { controller: PasskeyListController, template };
