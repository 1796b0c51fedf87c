/*
 * The protobuf JSON decoder, for each message the codec reads (the first
 * byte picks LiteralMap, Literal, LiteralType or TypedInterface), then
 * copy, equality, key computation and the re-encoding round trips
 * (fuzz_check_encoded).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_check_encoded(data, size, CACHET_FORMAT_JSON);
	return 0;
}
