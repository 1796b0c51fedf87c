/*
 * Internal: the store handle, shared by the generic helpers (store.c),
 * copying with hashing (copy.c) and offloading (offload.c).
 */
#ifndef CACHET_STORE_STORE_H
#define CACHET_STORE_STORE_H

#include "cachet/store.h"

struct cachet_store {
	cachet_store_backend *backend;
};

#endif
