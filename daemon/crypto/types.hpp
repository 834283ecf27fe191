#pragma once
// The fixed-size values the signing layer deals in. Kept free of crypto library headers so that
// any part of seedd can hold an address or a hash without pulling them in.
#include <array>
#include <cstdint>

#include <boost/multiprecision/cpp_int.hpp>

namespace seedd::crypto {

using Bytes32 = std::array<uint8_t, 32>;
using Address = std::array<uint8_t, 20>;
using InfoHash20 = std::array<uint8_t, 20>;
/// r ‖ s ‖ v, v ∈ {27, 28}.
using Signature = std::array<uint8_t, 65>;

/// Token amounts. `checked`: an overflow throws instead of silently wrapping a payout.
using uint256 = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<
    256, 256, boost::multiprecision::unsigned_magnitude, boost::multiprecision::checked, void>>;

}  // namespace seedd::crypto
