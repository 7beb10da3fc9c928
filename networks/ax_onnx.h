/* ax_onnx.h — an ONNX model as an axsim model (docs/onnx.md): every Conv,
 * Gemm and MatMul becomes a node whose forward and both gradients go through
 * the MAC, like the built-in architectures'; the rest (bias, batchnorm,
 * pooling, activations) is the same host code.
 *
 * The file is read by protobuf-c from the onnx.proto Debian ships; the model
 * must be a classifier over one NCHW image input: ops of the default domain,
 * opsets 9 to 17, weights as initializers (raw or typed, in the file; external
 * data is refused), one output of shape [N, classes]. The graph is sorted
 * topologically here (a cycle or an input no node, initializer or graph input
 * gives is an error). Anything not supported (an operator, an attribute
 * value, a shape) is an error naming the node, its operator and what is
 * supported; nothing is half-imported. */
#ifndef AX_ONNX_H
#define AX_ONNX_H

#include <stddef.h>

#include "ax_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The model of the ONNX file path (arch "onnx", weights loaded), or NULL
 * with the reason in err. notes gets what the import left out or changed
 * that a user should know ("" when nothing; may be NULL): a final Softmax
 * dropped (the logits before it are the output), Dropout kept as training
 * dropout. */
ax_model_t *ax_onnx_load(const char *path, char *notes, size_t notes_len, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
