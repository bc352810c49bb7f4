/**
 * Each host origin's scopes inside the device-wide budget: `site:` + the escaped origin + `:` +
 * the host's scope attribute. Defined in the report layer (src/report/host-scope-name.ts), where
 * a tasks file's widget form and the CLI's `widget-scope` use the same function.
 */
export { escapeOrigin, hostScopeName, hostScopePrefix, isHostScope } from '../../report/host-scope-name';
