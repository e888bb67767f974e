/**
 * Taking a model elsewhere, as torch.onnx and safetensors do: the network as an ONNX graph that ONNX Runtime
 * runs with the service's outputs, and its weights as a safetensors file that a PyTorch {@code nn.Sequential}
 * of the same layers loads with {@code load_state_dict}. Plain Java, from nn only.
 */
package io.mlpstream.nn.export;
