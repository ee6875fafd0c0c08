import type { IComponentOptions } from 'angular';
import { ACTIVITY_SHOWN, type ActivityEvent } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './activity-section.html';

class ActivitySectionController {
  static $inject = ['accountApi'];
  events: ActivityEvent[] = [];
  readonly shown = ACTIVITY_SHOWN;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  /** At start, and each time the page says something changed (`version`). */
  $onChanges(): void {
    this.state.run(this.accountApi.activity(), (events) => (this.events = events));
  }
}

/** "Recent activity": the last security events, newest first, with time, browser and network. */
export const activitySectionComponent: IComponentOptions = { bindings: { version: '<' }, controller: ActivitySectionController, template };
