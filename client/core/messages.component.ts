import type { IComponentOptions } from 'angular';
import template from './messages.html';

/** `<app-messages state="$ctrl.state">`: a page's error (role=alert) and success (role=status). */
export const messagesComponent: IComponentOptions = {
  bindings: { state: '<' },
  template,
};
