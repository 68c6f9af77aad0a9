set(CONFORMANCE_SOURCES ${PROJECT_SOURCE_DIR}/Tests/conformance/smoke_test.cpp)
