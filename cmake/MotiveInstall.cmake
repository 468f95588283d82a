# cmake --install: the shared library (the C ABI) and the static one, the
# header and the .proto files it names, a CMake package (motiveConfig.cmake,
# compatible within a major version, as the ABI is) and motive.pc.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MOTIVE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/motive)

install(TARGETS motive EXPORT motiveTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The static library's C++ dependencies are not part of the package's CMake
# interface: static users link it with `pkg-config --static --libs motive`.
install(FILES $<TARGET_FILE:motive_static>
  DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/motive/motive.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/motive)
# The schema of the payloads, beside the header that names it.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/model/motive/v1/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/motive/v1
  FILES_MATCHING PATTERN "*.proto")

install(EXPORT motiveTargets NAMESPACE motive::
  DESTINATION ${MOTIVE_CMAKE_DIR})
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/motiveConfig.cmake.in
  ${CMAKE_BINARY_DIR}/motiveConfig.cmake
  INSTALL_DESTINATION ${MOTIVE_CMAKE_DIR})
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/motiveConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/motiveConfig.cmake
  ${CMAKE_BINARY_DIR}/motiveConfigVersion.cmake
  DESTINATION ${MOTIVE_CMAKE_DIR})

file(RELATIVE_PATH MOTIVE_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/motive.pc.in
  ${CMAKE_BINARY_DIR}/motive.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/motive.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
