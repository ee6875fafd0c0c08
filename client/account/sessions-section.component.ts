import type { IComponentOptions } from 'angular';
import type { SessionInfo, SignInMethod } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './sessions-section.html';

const METHODS: Record<SignInMethod, string> = {
  code: 'password and a code',
  push: 'password and a push approval',
  passkey: 'password and a passkey',
  'recovery-code': 'password and a recovery code',
  'passkey-alone': 'a passkey',
  'remembered-browser': 'password on a remembered browser',
};

const many = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

class SessionsSectionController {
  static $inject = ['accountApi'];
  onChange?: () => void;
  list: SessionInfo[] = [];
  readonly methods = METHODS;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  $onInit(): void {
    this.load();
  }

  load(): void {
    this.state.run(this.accountApi.sessions(), (list) => (this.list = list));
  }

  end(session: SessionInfo): void {
    this.state.run(this.accountApi.endSession(session.id), () => {
      this.list = this.list.filter((s) => s.id !== session.id);
      this.state.succeed(`That session (${session.browser}) is signed out.`);
      this.onChange?.();
    });
  }

  endOthers(): void {
    this.state.run(this.accountApi.endOtherSessions(), (done) => {
      this.list = this.list.filter((s) => s.current);
      this.state.succeed(
        `${many(done.sessionsEnded, 'other session')} signed out, ${many(done.browsersForgotten, 'remembered browser')} forgotten.`,
      );
      this.onChange?.();
    });
  }
}

/** "Sessions": every signed-in session (this one marked), with Sign out, and Sign out other sessions. */
export const sessionsSectionComponent: IComponentOptions = {
  bindings: { onChange: '&?' },
  controller: SessionsSectionController,
  template,
};
