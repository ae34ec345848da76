import { type ComponentType, lazy, type LazyExoticComponent } from 'react';
import type { Messages } from '../i18n/en';

/** One screen: a folder under screens/ and one entry here. */
export interface ScreenRoute {
  /** A wouter pattern (`/servers/:id`). */
  path: string;
  /** Shown in the navigation when set: a key of `nav` in i18n/en.ts. */
  nav?: keyof Messages['nav'];
  /** The permission needed to open it (see GET /auth/session `me.permissions`). */
  permission: string;
  screen: LazyExoticComponent<ComponentType>;
}

export const routes: ScreenRoute[] = [
  { path: '/', nav: 'overview', permission: 'system:read', screen: lazy(() => import('../screens/overview')) },
  { path: '/servers', nav: 'servers', permission: 'servers:read', screen: lazy(() => import('../screens/servers')) },
  { path: '/servers/:id', permission: 'servers:read', screen: lazy(() => import('../screens/servers/ServerPage')) },
  { path: '/secrets', nav: 'secrets', permission: 'secrets:read', screen: lazy(() => import('../screens/secrets')) },
  { path: '/logs', nav: 'logs', permission: 'logs:read', screen: lazy(() => import('../screens/logs')) },
  { path: '/alerts', nav: 'alerts', permission: 'alerts:read', screen: lazy(() => import('../screens/alerts')) },
  { path: '/monitors', nav: 'monitors', permission: 'monitors:read', screen: lazy(() => import('../screens/monitors')) },
  { path: '/gateway', nav: 'gateway', permission: 'gateway:read', screen: lazy(() => import('../screens/gateway')) },
  { path: '/storage', nav: 'storage', permission: 'storage:read', screen: lazy(() => import('../screens/storage')) },
  { path: '/dashboards', nav: 'dashboards', permission: 'dashboards:read', screen: lazy(() => import('../screens/dashboards')) },
  { path: '/analysis', nav: 'analysis', permission: 'logs:analyze', screen: lazy(() => import('../screens/analysis')) },
  { path: '/jobs', nav: 'jobs', permission: 'jobs:read', screen: lazy(() => import('../screens/jobs')) },
  { path: '/jobs/:id', permission: 'jobs:read', screen: lazy(() => import('../screens/jobs/BatchPage')) },
  { path: '/sso', nav: 'sso', permission: 'users:write', screen: lazy(() => import('../screens/sso')) },
  { path: '/system', nav: 'system', permission: 'system:config:read', screen: lazy(() => import('../screens/system')) },
];
