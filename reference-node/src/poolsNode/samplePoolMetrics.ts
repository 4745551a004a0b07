/**
 * What the pool gauges (`sfr_pools`, `sfr_pool_claims{pool,status}`, `sfr_pool_claims_awaiting_vote`,
 * `sfr_pool_capital_base_units`, `sfr_pool_paid_out_base_units`) read from a pool service at each
 * scrape of `/metrics`: register it with `setMetricSources(metrics, {pools: () => samplePoolMetrics(s)})`.
 */
import type { PoolSample } from '../metrics/index.js';
import type { PoolService } from './createPoolService.js';

export function samplePoolMetrics(pools: Pick<PoolService, 'poolIds' | 'view' | 'listClaims'>): PoolSample[] {
  return pools.poolIds().map((poolId) => {
    const ledger = pools.view(poolId).ledger;
    return {
      poolId,
      claims: pools
        .listClaims({ poolId })
        .map((c) => ({ status: c.status, awaitingVote: c.pendingVote !== null })),
      capital: ledger.capital,
      paidOut: ledger.paidOut,
    };
  });
}
