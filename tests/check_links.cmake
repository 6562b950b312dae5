# Fails when a link or a citation of the documentation points nowhere. Run as
# `cmake -DSOURCE_DIR=<repository> -P check_links.cmake` (CTest: links_resolve, label docs).
#
# 1. Every relative Markdown link and image ([text](path), [text](path#anchor), [text](#anchor))
#    in README.md, CHANGELOG.md and docs/*.md must name an existing file or folder and, with an
#    anchor into a Markdown file, one of that file's headings (GitHub's slugs: lower case,
#    punctuation dropped except '-' and '_', spaces to '-', repeated headings -1, -2, ...) or an
#    explicit <a id="...">. Links with a scheme (https:, mailto:) are not followed; fenced code
#    blocks and `code spans` are not read (in the Markdown files, for 2. either).
# 2. Every citation of the documentation in the sources (include/, examples/, python/, bench/,
#    tests/, cmake/ and the CMakeLists.txt files) and in the Markdown files must resolve:
#    docs/NAME.md and docs/NAME.md#anchor (the file, and the heading); docs/NAME.md, "Heading" and
#    README, "Heading" (a heading that is, or starts with, that text); docs/formulas.md §N and
#    §N-M (a heading "N. ...").
# Limits of the slug rule: CMake lowers ASCII letters only, and of the characters beyond ASCII it
# drops the punctuation listed in `non_ascii_punctuation` and keeps the rest (letters, digits).
cmake_minimum_required(VERSION 3.25)
cmake_policy(SET CMP0007 NEW)
if(NOT DEFINED SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()

set(non_ascii_punctuation "—" "–" "·" "×" "…" "§" "→" "←" "↦" "‖" "“" "”" "‘" "’" "≤" "≥" "∈"
  "−" "±" "√" "∞" "²" "³" "⁴")

# A file's lines as a CMake list. ';', '[' and ']' would split or glue list items: they travel
# encoded (<sc>, <lb>, <rb>) and decode() restores them.
# For a Markdown file's lines in order: sets `in_code` TRUE for a fence of a code block and for
# the lines between two fences, which hold no links or headings (`fenced` carries the state).
macro(read_code_fence line_variable)
  set(in_code ${fenced})
  if("${${line_variable}}" MATCHES "^ *(```|~~~)")
    set(in_code TRUE)
    if(fenced)
      set(fenced FALSE)
    else()
      set(fenced TRUE)
    endif()
  endif()
endmacro()

function(read_lines file out)
  file(READ "${file}" content)
  string(REPLACE "<" "<lt>" content "${content}")
  string(REPLACE ";" "<sc>" content "${content}")
  string(REPLACE "[" "<lb>" content "${content}")
  string(REPLACE "]" "<rb>" content "${content}")
  string(REPLACE "\\" "<bs>" content "${content}")
  string(REPLACE "\n" ";" content "${content}")
  set(${out} "${content}" PARENT_SCOPE)
endfunction()
function(decode text out)
  string(REPLACE "<sc>" ";" text "${text}")
  string(REPLACE "<lb>" "[" text "${text}")
  string(REPLACE "<rb>" "]" text "${text}")
  string(REPLACE "<bs>" "\\" text "${text}")
  string(REPLACE "<lt>" "<" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# GitHub's anchor for a heading's text (encoded as read_lines leaves it).
function(slug text out)
  # Links keep their text; code spans and emphasis lose their marks below.
  string(REGEX REPLACE "<lb>([^<]*)<rb>\\([^)]*\\)" "\\1" text "${text}")
  decode("${text}" text)
  string(TOLOWER "${text}" text)
  foreach(c IN LISTS non_ascii_punctuation)
    string(REPLACE "${c}" "" text "${text}")
  endforeach()
  string(REPLACE "[" "" text "${text}")
  string(REPLACE "]" "" text "${text}")
  string(REPLACE "\\" "" text "${text}")
  string(REGEX REPLACE "[!\"#$%&'()*+,./:<=>?@^`{|}~]" "" text "${text}")
  string(REPLACE ";" "" text "${text}")
  string(STRIP "${text}" text)
  string(REPLACE " " "-" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The anchors of a Markdown file (cached per file): heading slugs with GitHub's -1, -2 suffixes
# for repeats, explicit <a id/name="...">, and the heading texts themselves (for "Heading"
# citations, as slugs without suffix).
function(anchors_of file out)
  string(MAKE_C_IDENTIFIER "${file}" key)
  get_property(known GLOBAL PROPERTY anchors_${key} SET)
  if(NOT known)
    read_lines("${file}" lines)
    set(anchors "")
    set(fenced FALSE)
    foreach(line IN LISTS lines)
      read_code_fence(line)
      if(in_code)
        continue()
      endif()
      if(line MATCHES "^#+ +(.*)$")
        string(REGEX REPLACE " +#+ *$" "" heading "${CMAKE_MATCH_1}")
        slug("${heading}" s)
        set(anchor "${s}")
        set(n 0)
        while(anchor IN_LIST anchors)
          math(EXPR n "${n} + 1")
          set(anchor "${s}-${n}")
        endwhile()
        list(APPEND anchors "${anchor}")
      endif()
      string(REGEX MATCHALL "<lt>a (id|name)=\"[^\"]+\"" explicit "${line}")
      foreach(a IN LISTS explicit)
        string(REGEX REPLACE "^.*=\"([^\"]+)\"$" "\\1" a "${a}")
        list(APPEND anchors "${a}")
      endforeach()
    endforeach()
    set_property(GLOBAL PROPERTY anchors_${key} "${anchors}")
  endif()
  get_property(anchors GLOBAL PROPERTY anchors_${key})
  set(${out} "${anchors}" PARENT_SCOPE)
endfunction()

set(broken "")
macro(report where what why)
  decode("${what}" what_text)
  list(APPEND broken "${where}: ${what_text} (${why})")
endmacro()

# Checks path[#anchor], relative to base (a folder), for the reference `what` found at `where`.
function(check_target where what base target)
  set(path "${target}")
  set(anchor "")
  if(target MATCHES "^([^#]*)#(.*)$")
    set(path "${CMAKE_MATCH_1}")
    set(anchor "${CMAKE_MATCH_2}")
  endif()
  if(path STREQUAL "")
    set(file "${where_file}")
    set(path "this file")
  elseif(path MATCHES "^/")
    set(file "${SOURCE_DIR}${path}")
  else()
    set(file "${base}/${path}")
  endif()
  cmake_path(NORMAL_PATH file)
  if(NOT EXISTS "${file}")
    report("${where}" "${what}" "no file ${path}")
  elseif(NOT anchor STREQUAL "" AND file MATCHES "\\.md$")
    anchors_of("${file}" anchors)
    if(NOT anchor IN_LIST anchors)
      report("${where}" "${what}" "no heading #${anchor} in ${path}")
    endif()
  endif()
  set(broken "${broken}" PARENT_SCOPE)
endfunction()

# Checks that file (from the repository root) has a heading whose slug is that of `heading`.
function(check_heading where what file heading)
  if(NOT EXISTS "${SOURCE_DIR}/${file}")
    report("${where}" "${what}" "no file ${file}")
  else()
    slug("${heading}" wanted)
    anchors_of("${SOURCE_DIR}/${file}" anchors)
    # A heading is cited by its whole text or by its first words ("Compile time" for
    # "Compile time: ..."), as the sources do.
    list(FILTER anchors INCLUDE REGEX "^${wanted}(-|$)")
    if(anchors STREQUAL "")
      report("${where}" "${what}" "no heading \"${heading}\" in ${file}")
    endif()
  endif()
  set(broken "${broken}" PARENT_SCOPE)
endfunction()

# Citations of docs/ and of README sections in one (encoded) line.
function(check_citations where line)
  string(REGEX MATCHALL "docs/[A-Za-z0-9_.-]+\\.md(#[A-Za-z0-9_-]+)?" cited "${line}")
  foreach(c IN LISTS cited)
    check_target("${where}" "${c}" "${SOURCE_DIR}" "${c}")
  endforeach()
  string(REGEX MATCHALL "(docs/[A-Za-z0-9_.-]+\\.md|README(\\.md)?),? \"[^\"]+\"" quoted "${line}")
  foreach(q IN LISTS quoted)
    string(REGEX MATCH "^([^,\" ]+),? \"([^\"]+)\"$" parts "${q}")
    set(file "${CMAKE_MATCH_1}")
    set(heading "${CMAKE_MATCH_2}")
    if(file MATCHES "^README")
      set(file README.md)
    endif()
    check_heading("${where}" "${q}" "${file}" "${heading}")
  endforeach()
  string(REGEX MATCHALL "docs/formulas\\.md,? §[0-9]+(-[0-9]+)?" sections "${line}")
  foreach(s IN LISTS sections)
    string(REGEX MATCH "§([0-9]+)(-([0-9]+))?" range "${s}")
    set(numbers ${CMAKE_MATCH_1} ${CMAKE_MATCH_3})
    anchors_of("${SOURCE_DIR}/docs/formulas.md" anchors)
    foreach(n IN LISTS numbers)
      list(FILTER anchors INCLUDE REGEX "^${n}-")
      if(anchors STREQUAL "")
        report("${where}" "${s}" "no section ${n} in docs/formulas.md")
      endif()
      anchors_of("${SOURCE_DIR}/docs/formulas.md" anchors)
    endforeach()
  endforeach()
  set(broken "${broken}" PARENT_SCOPE)
endfunction()

# 1. Markdown links (and the citations written as text in the same files).
file(GLOB docs RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/docs/*.md")
set(markdown README.md CHANGELOG.md ${docs})
set(links 0)
foreach(relative IN LISTS markdown)
  set(where_file "${SOURCE_DIR}/${relative}")
  get_filename_component(base "${where_file}" DIRECTORY)
  read_lines("${where_file}" lines)
  set(number 0)
  set(fenced FALSE)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    read_code_fence(line)
    if(in_code)
      continue()
    endif()
    string(REGEX REPLACE "`[^`]*`" "" text "${line}")
    string(REGEX MATCHALL "<rb>\\([^) ]+( \"[^\"]*\")?\\)" targets "${text}")
    foreach(t IN LISTS targets)
      string(REGEX REPLACE "^<rb>\\(([^) ]+).*$" "\\1" target "${t}")
      if(target MATCHES "^[A-Za-z][A-Za-z0-9+.-]*:")
        continue() # https:, mailto: ...
      endif()
      math(EXPR links "${links} + 1")
      check_target("${relative}:${number}" "(${target})" "${base}" "${target}")
    endforeach()
    check_citations("${relative}:${number}" "${text}")
  endforeach()
endforeach()

# 2. Citations in the sources.
file(GLOB_RECURSE sources RELATIVE "${SOURCE_DIR}"
  "${SOURCE_DIR}/include/*.hpp" "${SOURCE_DIR}/examples/*.cpp" "${SOURCE_DIR}/examples/*.hpp"
  "${SOURCE_DIR}/python/*.cpp" "${SOURCE_DIR}/python/*.hpp" "${SOURCE_DIR}/python/*.py"
  "${SOURCE_DIR}/bench/*.cpp" "${SOURCE_DIR}/bench/*.py" "${SOURCE_DIR}/bench/*.cmake"
  "${SOURCE_DIR}/tests/*.cpp" "${SOURCE_DIR}/tests/*.hpp" "${SOURCE_DIR}/tests/*.sh"
  "${SOURCE_DIR}/cmake/*" "${SOURCE_DIR}/.ci/*" "${SOURCE_DIR}/examples/*CMakeLists.txt"
  "${SOURCE_DIR}/python/*CMakeLists.txt" "${SOURCE_DIR}/bench/*CMakeLists.txt"
  "${SOURCE_DIR}/tests/*CMakeLists.txt")
list(APPEND sources CMakeLists.txt)
list(FILTER sources EXCLUDE REGEX "(^|/)(build|__pycache__)/")
set(cited_files 0)
foreach(relative IN LISTS sources)
  file(READ "${SOURCE_DIR}/${relative}" content)
  if(NOT content MATCHES "docs/|README")
    continue()
  endif()
  math(EXPR cited_files "${cited_files} + 1")
  read_lines("${SOURCE_DIR}/${relative}" lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "docs/|README")
      check_citations("${relative}:${number}" "${line}")
    endif()
  endforeach()
endforeach()

list(LENGTH markdown markdown_count)
list(LENGTH broken broken_count)
if(broken_count GREATER 0)
  list(JOIN broken "\n  " listing)
  message(FATAL_ERROR "${broken_count} broken links or citations:\n  ${listing}\n"
    "(GitHub's anchors: lower case, punctuation dropped except '-' and '_', spaces to '-'.)")
endif()
message(STATUS "${links} relative links in ${markdown_count} Markdown files and the citations in "
  "${cited_files} sources resolve")
