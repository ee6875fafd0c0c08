import type { IComponentOptions } from 'angular';
import { AuthenticatorSetupController } from './authenticator-setup.controller';
import template from './authenticator-setup.html';

/**
 * `<authenticator-setup>` on /account: for someone whose soft token never got its first code
 * (Twilio Verify), its QR code and that code, behind a fresh second factor. Hidden when there
 * is nothing to set up (Authy, or set up already).
 */
export const authenticatorSetupComponent: IComponentOptions = { controller: AuthenticatorSetupController, template };
