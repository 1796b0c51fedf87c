/*
 * cachet.h - the whole public API of libcachet.
 *
 *   common.h  version, error codes, the last error
 *   value.h   Flyte's typed values: Literal, LiteralType, TypedInterface
 *   codec.h   those values in protobuf wire format and protobuf JSON
 *   key.h     cache keys identical to Flyte's backend
 */
#ifndef CACHET_H
#define CACHET_H

#include "cachet/common.h"
#include "cachet/value.h"
#include "cachet/codec.h"
#include "cachet/key.h"

#endif /* CACHET_H */
