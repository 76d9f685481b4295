// The dashboard's HTTP surface: the page at /, the current state as JSON at /state, and live
// updates as server-sent events at /events.
import type { Express } from 'express';
import type { EventFeed } from './feed.ts';
import type { DashboardState } from './model.ts';
import { PAGE } from './page.ts';

export function dashboardRoutes(current: () => DashboardState, feed: EventFeed) {
  return (app: Express) => {
    app.get('/', (_req, res) => {
      res.type('html').set('cache-control', 'no-store').send(PAGE);
    });
    app.get('/state', (_req, res) => {
      res.set('cache-control', 'no-store').json(current());
    });
    app.get('/events', (_req, res) => {
      feed.add(res, current());
    });
  };
}
