// Prints the OTLP span -> Sample mapping as the Markdown table the README shows.
#include <iostream>

#include "collector/otlp/span_mapping.h"

int main() {
  std::cout << llmtap::collector::otlp::MappingMarkdown();
  return 0;
}
