# CTest script: install gdcert to a temporary prefix, then build and run examples/consumer twice,
# once through find_package(gdcert CONFIG) and once through add_subdirectory. Fails if packaging breaks.
foreach(variable GDCERT_SOURCE_DIR GDCERT_BINARY_DIR WORK_DIR CXX_COMPILER)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "test-consumer.cmake needs -D${variable}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "command failed (${result}): ${ARGV}\n${output}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install "${GDCERT_BINARY_DIR}" --prefix "${prefix}")

foreach(mode find_package add_subdirectory)
  set(build "${WORK_DIR}/${mode}")
  run(${CMAKE_COMMAND} -S "${GDCERT_SOURCE_DIR}/examples/consumer" -B "${build}"
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_PREFIX_PATH=${prefix} -DCONSUMER_MODE=${mode}
      -DGDCERT_SOURCE_DIR=${GDCERT_SOURCE_DIR})
  run(${CMAKE_COMMAND} --build "${build}")
  run("${build}/consumer")
endforeach()
message(STATUS "consumer built and ran through find_package and add_subdirectory")
