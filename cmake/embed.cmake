# Writes a binary file as a C source defining
#   const unsigned char NAME[] = {...}; const size_t NAME_size = N;
# Run as: cmake -DINPUT=file -DOUTPUT=file.c -DNAME=symbol -P embed.cmake
# (the token ranks, src/tokens/generated/*.ranks.zst, are built into libpcsim this way).
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
# "0xAB," per byte, on one line (the file is for the compiler only).
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}.tmp"
  "/* Generated from ${INPUT} by cmake/embed.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "const unsigned char ${NAME}[] = {\n${bytes}\n};\n"
  "const size_t ${NAME}_size = ${size};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
