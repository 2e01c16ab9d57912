import type { LayerReport, VarianceForecast } from '../report/reportModel';
import type { LayerForecast } from './probeResults';

/**
 * Puts the static forecast in the probe's terms, so `std` and `forecastStd` are the same
 * quantity (the layer output before its activation, for a unit-variance model input):
 *  - forecastGain = √(fan_in · E[W²]) (E[W²] = std² + mean² of the weight): the expected
 *    output/input RMS ratio of the linear layer for independent inputs (Glorot & Bengio 2010,
 *    He et al. 2015, eq. 7 before the activation factor);
 *  - forecastStd = √(cumulative forecast variance after the previous point) · forecastGain, i.e.
 *    the forecast's own chain (with its activation factors) up to the layer's input, then the
 *    layer itself. Layers off the forecast's main path get only the gain.
 */
export function forecastForProbe(layers: readonly LayerReport[], forecast: VarianceForecast): (layerId: string) => LayerForecast {
  const byId = new Map(layers.map((l) => [l.id, l] as const));
  const before = new Map<string, number>();
  let cumulative = 1;
  for (const p of forecast.points) {
    before.set(p.layerId, cumulative);
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
