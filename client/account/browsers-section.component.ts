import type { IComponentOptions } from 'angular';
import type { RememberedBrowser } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './browsers-section.html';

class BrowsersSectionController {
  static $inject = ['accountApi'];
  days = 0;
  onChange?: () => void;
  list: RememberedBrowser[] = [];
  loaded = false;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  $onInit(): void {
    this.load();
  }

  load(): void {
    this.state.run(this.accountApi.browsers(), (list) => {
      this.list = list;
      this.loaded = true;
    });
  }

  forget(browser: RememberedBrowser): void {
    this.state.run(this.accountApi.forgetBrowser(browser.id), () => {
      this.list = this.list.filter((b) => b.id !== browser.id);
      this.state.succeed(`${browser.browser} forgotten: it asks for the second factor again.`);
      this.onChange?.();
    });
  }

  forgetAll(): void {
    this.state.run(this.accountApi.forgetAllBrowsers(), () => {
      this.list = [];
      this.state.succeed('Every browser forgotten.');
      this.onChange?.();
    });
  }
}

/** "Remembered browsers": each one (this one marked), with Forget, and Forget all. */
export const browsersSectionComponent: IComponentOptions = {
  bindings: { days: '<', onChange: '&?' },
  controller: BrowsersSectionController,
  template,
};
