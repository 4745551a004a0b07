/**
 * The node's live dashboard (spec/v1/api.md#dashboard): a read-only page on the API port, built
 * from the API's own JSON routes and event streams. Mounted by `createApi`.
 */
export {
  type CreateDashboardHandlersParameters,
  createDashboardHandlers,
  DASHBOARD_HEADERS,
} from './createDashboardHandlers.js';
export { DASHBOARD_ROUTES } from './dashboardRoutes.js';
