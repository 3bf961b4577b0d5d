#include "csv/value_parser.h"

namespace edgepipe::csv {

bool ParseDoubleSlow(const char* p, const char* end, double* out) { return ParseFloatSlow(p, end, out); }

}  // namespace edgepipe::csv
