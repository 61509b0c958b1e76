// EnumNames: the names an enum is stored and printed by, as one table per enum, so that
// Name and FromName cannot disagree.
//
//   constexpr EnumNames<Color, 2> kColors{{{Color::kRed, "red"}, {Color::kBlue, "blue"}}};
//   kColors.Name(Color::kRed) == "red";  kColors.FromName("blue") == Color::kBlue
//
// The first entry is the fallback name of a value missing from the table. Values;
// thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace tether {

template <class E, size_t N>
struct EnumNames {
  std::array<std::pair<E, const char*>, N> entries;

  constexpr const char* Name(E value) const {
    for (const auto& [entry, name] : entries) {
      if (entry == value) return name;
    }
    return entries[0].second;
  }
  constexpr std::optional<E> FromName(std::string_view name) const {
    for (const auto& [entry, text] : entries) {
      if (name == text) return entry;
    }
    return std::nullopt;
  }
};

}  // namespace tether
