"""The template's update gates: an update brings the pipeline's changes and stops on conflicts."""
