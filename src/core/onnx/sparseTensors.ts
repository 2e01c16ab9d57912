import { ExternalDataError, TensorDecodeError } from '../errors';
import { DataType, type SparseTensorRef, type TensorRefusal } from './model';
import { checkTensorData, tensorValueChunks, type TensorDataContext } from './tensorValues';

function refuse(sp: SparseTensorRef, rule: string, why: string): TensorRefusal {
  return { rule, message: `sparse tensor "${sp.name}": ${why}` };
}

/**
 * Validates a SparseTensorProto against onnx.proto: values are 1-D [NNZ]; indices are INT64,
 * either [NNZ] linear indices into the dense shape or [NNZ, rank] coordinates; every index is
 * inside the dense shape. Reads the indices (bounded chunks). Returns the refusal or undefined.
 */
export function checkSparseTensor(sp: SparseTensorRef, ctx: TensorDataContext): TensorRefusal | undefined {
  for (const t of [sp.values, sp.indices]) {
    const r = checkTensorData(t, ctx);
    if (r !== undefined) return refuse(sp, r.rule, r.message);
  }
  if (sp.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) return refuse(sp, 'sparse-bad-dims', `dense dims [${sp.dims.slice(0, 8).join(', ')}] must be non-negative integers`);
  const dense = sp.dims.reduce((a, d) => a * d, 1);
  if (dense > Number.MAX_SAFE_INTEGER) return refuse(sp, 'sparse-bad-dims', 'dense element count is too large (overflow)');
  if (sp.values.dims.length !== 1) return refuse(sp, 'sparse-bad-values', `values must be 1-D [NNZ], got rank ${sp.values.dims.length}`);
  const nnz = sp.values.dims[0] as number;
  if (nnz > dense) return refuse(sp, 'sparse-bad-values', `${nnz} values for a dense shape of ${dense} elements`);
  if (sp.indices.dataType !== DataType.INT64) return refuse(sp, 'sparse-bad-indices', `indices must be INT64 (data_type 7), got ${sp.indices.dataType}`);
  const id = sp.indices.dims;
  const linear = id.length === 1 && id[0] === nnz;
  const coords = id.length === 2 && id[0] === nnz && id[1] === sp.dims.length;
  if (!linear && !coords) return refuse(sp, 'sparse-bad-indices', `indices shape [${id.slice(0, 4).join(', ')}] is neither [NNZ] nor [NNZ, rank] for ${nnz} values`);
  let k = 0;
  try {
    for (const chunk of tensorValueChunks(sp.indices, ctx)) {
      for (let i = 0; i < chunk.length; i++, k++) {
        const v = chunk[i] as number;
        const bound = linear ? dense : (sp.dims[k % sp.dims.length] as number);
        if (!(v >= 0 && v < bound)) return refuse(sp, 'sparse-index-out-of-range', `index ${v} at position ${k} is out of range (must be in [0, ${bound}))`);
      }
    }
  } catch (e) {
    if (e instanceof TensorDecodeError || e instanceof ExternalDataError) return refuse(sp, 'sparse-bad-indices', e.message);
    throw e;
  }
  return undefined;
}
