/** The server kit the app's static server, the collector and the aggregators are built on (Hono on Node). */
export { createApp, type AppOptions } from './app';
export { readJson, readText } from './body';
export { checkOrigin, corsAllowList, type CorsOptions } from './cors';
export { errorBody, errorResponse, HttpError, toHttpError, type ErrorBody, type HttpErrorOptions } from './errors';
export { readFlags, type FlagSpec, type FlagValues } from './flags';
export { mountRoutes, withTimeout, type Handler, type MethodHandlers, type Route } from './routes';
export { closeOnSignals } from './signals';
export { listen, nodeListener, type ListenOptions, type Listening, type NodeListener } from './serve';
