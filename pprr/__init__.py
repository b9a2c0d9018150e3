"""pprr: Portfolio Performance and Resource Reports for English councils.

The functional core: reading and validating the portfolio workbook, status (RAG) and trend rules, finance maths,
charts, the PDF committee pack, the edited-workbook writer and the command line. It never imports streamlit.
"""

from .model import PortfolioWorkbook, Problem, Severity
from .workbook.gate import assert_safe_xml_parser
from .workbook.reader import load_workbook

# Without defusedxml a workbook of nested XML entities crashes the whole process: refuse to start instead.
assert_safe_xml_parser()

__all__ = ["PortfolioWorkbook", "Problem", "Severity", "load_workbook"]
__version__ = "0.1.0"
