"""Libya news monitor: the library behind the CLI, the Scrapy project and the Airflow DAGs.

`pipeline` never imports Scrapy or Airflow; both adapters call into it.
"""

__version__ = "0.1.0"
