#pragma once
// Terminal columns of UTF-8 text, for seedctl's tables: a torrent's name may hold CJK (two
// columns a character), combining marks (none) or bytes that are not UTF-8 at all.
#include <cstddef>
#include <string>
#include <string_view>

namespace seedd::cli {

/// Columns a code point takes on a terminal: 0 (combining marks, zero-width and control
/// characters), 2 (East Asian wide and fullwidth, emoji) or 1. A small wcwidth, locale-free.
int codepoint_width(char32_t cp);

/// Columns `utf8` takes; a byte that does not start a valid sequence counts as one column.
size_t display_width(std::string_view utf8);

/// `utf8` cut to at most `columns` columns on a character boundary, with "~" as the last
/// column when something was cut (a wide character that does not fit leaves the column short;
/// pad_to_width fills it). Zero-width characters stay with the character before them.
std::string fit_to_width(std::string_view utf8, size_t columns);

/// `utf8` padded with spaces to `columns` columns (left-aligned, or right-aligned); longer
/// text is returned as is.
std::string pad_to_width(std::string_view utf8, size_t columns, bool align_right = false);

}  // namespace seedd::cli
