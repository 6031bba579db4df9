"""An MLServer 1.7 custom runtime serving an mpcl ONNX export (export_onnx.py) on ONNX Runtime.

It answers mpcl-serve's V2 infer requests unchanged: FP32 inputs ``eeg`` [B, channels, bands] (or
[B, channels·bands]), ``peripheral`` [B, dims] and ``face`` [B, dims] are flattened and concatenated
in the checkpoint's layout order into the graph's ``features`` [B, F]; the output is
``distribution`` [B, C]. ONNX Runtime runs one thread per MLServer worker; MLServer's adaptive
batching (``max_batch_size``, ``max_batch_time`` in model-settings.json) stacks concurrent requests.
A benchmark peer only (Benchmarks/run_serving_peer.py).
"""

import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxRuntimeModel(MLModel):
    async def load(self) -> bool:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.session = ort.InferenceSession(self.settings.parameters.uri, options, providers=["CPUExecutionProvider"])
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        parts = {item.name: NumpyCodec.decode_input(item) for item in payload.inputs}
        rows = parts["peripheral"].shape[0]
        features = np.concatenate(
            [parts[name].reshape(rows, -1).astype(np.float32) for name in ("eeg", "peripheral", "face")], axis=1)
        distribution = self.session.run(["distributions"], {"features": features})[0]
        return InferenceResponse(
            model_name=self.name, outputs=[NumpyCodec.encode_output("distribution", distribution)])
