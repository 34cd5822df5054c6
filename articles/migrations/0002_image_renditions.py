# Photos: renditions, the credited agency's Source, focal point bounds.

import articles.models
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='image',
            name='file',
            field=models.ImageField(blank=True, height_field='height', help_text='JPEG, PNG, WebP or GIF. Uploading a new file replaces the photo everywhere it is used.', max_length=255, upload_to='images/%Y/%m/%d/', width_field='width'),
        ),
        migrations.AddField(
            model_name='image',
            name='credit_source',
            field=models.ForeignKey(blank=True, help_text='The agency in the credit (the part after the last “/”), linked to its page.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='credited_images', to='articles.source'),
        ),
        migrations.AlterField(
            model_name='image',
            name='focal_x',
            field=models.FloatField(blank=True, help_text='Focal point across, 0 (left) to 1 (right).', null=True, validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)]),
        ),
        migrations.AlterField(
            model_name='image',
            name='focal_y',
            field=models.FloatField(blank=True, help_text='Focal point down, 0 (top) to 1 (bottom).', null=True, validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)]),
        ),
        migrations.CreateModel(
            name='Rendition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('crop', models.CharField(choices=[('full', 'Full frame'), ('card', 'Card (3:2)'), ('thumb', 'Thumbnail (1:1)'), ('social', 'Social (1.91:1)')], max_length=10)),
                ('format', models.CharField(choices=[('webp', 'WebP'), ('jpeg', 'JPEG')], max_length=10)),
                ('width', models.PositiveIntegerField()),
                ('height', models.PositiveIntegerField()),
                ('file', models.FileField(max_length=255, upload_to=articles.models.rendition_upload_to)),
                ('source_key', models.CharField(max_length=40)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('image', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='renditions', to='articles.image')),
            ],
            options={
                'ordering': ['crop', 'format', 'width'],
                'constraints': [models.UniqueConstraint(fields=('image', 'source_key', 'crop', 'format', 'width'), name='rendition_once')],
            },
        ),
    ]
