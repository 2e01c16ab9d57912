import type { LayerReport, VarianceForecast } from '../report/reportModel';
import type { LayerForecast } from './probeResults';

/**
 * Puts the static forecast in the probe's terms, so `std` and `forecastStd` are the same
 * quantity (the layer output before its activation, for a unit-variance model input):
 *  - forecastGain = √(fan_in · E[W²]) (E[W²] = std² + mean² of the weight): the expected
 *    output/input RMS ratio of the linear layer for independent inputs (Glorot & Bengio 2010,
 *    He et al. 2015, eq. 7 before the activation factor);
 *  - forecastStd = √(forecast second moment entering the layer) · forecastGain: the forecast's own
 *    chain (activation factors, resets after normalizations) up to the layer's input, then the
 *    layer itself, which is the forecast's own pre-activation value. Layers off the forecast's
 *    main path (residual branches, embeddings) get only the gain.
 */
export function forecastForProbe(layers: readonly LayerReport[], forecast: VarianceForecast): (layerId: string) => LayerForecast {
  const byId = new Map(layers.map((l) => [l.id, l] as const));
  // The second moment entering each point: cumulative / gain (the forecast's gain is
  // cumulative-after over cumulative-before, so this includes its reset to 1 after a norm).
  const before = new Map<string, number>();
  let cumulative = 1;
  for (const p of forecast.points) {
    before.set(p.layerId, p.gain > 0 && Number.isFinite(p.gain) ? p.cumulative / p.gain : cumulative);
    cumulative = p.cumulative;
  }
  return (layerId) => {
    const layer = byId.get(layerId);
    const fan = layer?.fanIn ?? null;
    const { std, mean } = layer?.stats ?? { std: null, mean: null };
    const gain = fan !== null && std !== null && mean !== null ? Math.sqrt(fan * (std * std + mean * mean)) : null;
    const prior = before.get(layerId);
    return { gain, std: gain !== null && prior !== undefined && Number.isFinite(prior) ? Math.sqrt(prior) * gain : null };
  };
}
