// The report the render tests use. TEMPORARY: a generated report until the core's analyzeModel
// lands; then this reads a fixture model through the real analysis.
import type { Report } from '../../../src/core/report/reportModel';
import { syntheticReport } from './syntheticReport';

export async function loadTestReport(): Promise<Report> {
  return syntheticReport({ layers: 60 });
}
