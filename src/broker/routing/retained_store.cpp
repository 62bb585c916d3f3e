// RetainedStore is a header-only template over the engine's message type; this file checks
// that the header is self-contained and instantiates it once.
#include "broker/routing/retained_store.h"

namespace akasa::broker {
template class RetainedStore<int>;
}  // namespace akasa::broker
