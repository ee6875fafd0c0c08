import angular from 'angular';
import type { ICompileProvider, ILocationProvider } from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { UrlService } from '@uirouter/angularjs';
import core from './core/core.module';
import layout from './layout/header.component';
import home from './home/home.component';
import register from './register/register.component';
import login from './login/login.component';
import twofa from './twofa/twofa.component';
import protectedPage from './protected/protected.component';
import account from './account/account.component';
import verification from './verification/verification.component';
import verified from './verified/verified.component';

function configure($locationProvider: ILocationProvider, $compileProvider: ICompileProvider, $urlServiceProvider: UrlService): void {
  $locationProvider.html5Mode(true);
  $compileProvider.debugInfoEnabled(false);
  $compileProvider.commentDirectivesEnabled(false);
  $compileProvider.cssClassDirectivesEnabled(false);
  $urlServiceProvider.rules.otherwise('/');
  // The soft token's otpauth:// link (/2fa, while it waits for its first code) opens the authenticator app.
  $compileProvider.aHrefSanitizationTrustedUrlList(/^\s*(https?|mailto|tel|otpauth):/);
  // $http already sends the XSRF-TOKEN cookie back as X-XSRF-TOKEN (same origin only): keep it.
}
configure.$inject = ['$locationProvider', '$compileProvider', '$urlServiceProvider'];

/** The root module only wires the feature modules together. */
angular
  .module('app', [uiRouter, core, layout, home, register, login, twofa, protectedPage, account, verification, verified])
  .config(configure);

// Bootstrapped from code (no ng-app, no inline script); `<html ng-csp>` keeps AngularJS off eval and inline styles.
angular.element(document).ready(() => {
  angular.bootstrap(document, ['app'], { strictDi: true });
});
