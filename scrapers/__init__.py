"""The Scrapy project: spiders by source kind, handing every article to `pipeline.ingest`."""
